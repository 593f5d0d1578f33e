<?php

declare(strict_types=1);

namespace Drupal\site_alerts;

use Drupal\Core\Session\AccountInterface;
use Drupal\user\UserDataInterface;

/**
 * Remembers which alerts each user has dismissed.
 */
class DismissalTracker {

  /**
   * The user data key holding the dismissed alert IDs.
   */
  protected const DATA_KEY = 'dismissed_alerts';

  public function __construct(
    protected readonly UserDataInterface $userData,
  ) {}

  /**
   * Records that the account dismissed an alert.
   */
  public function dismiss(AccountInterface $account, SiteAlert $alert): bool {
    if (!$alert->severity->isDismissible() || $account->isAnonymous()) {
      return FALSE;
    }
    $dismissed = $this->getDismissedIds($account);
    $dismissed[] = $alert->id;
    $this->userData->set('site_alerts', (int) $account->id(), self::DATA_KEY, array_values(array_unique($dismissed)));
    return TRUE;
  }

  /**
   * Whether the account has hidden the alert.
   */
  public function isDismissed(AccountInterface $account, SiteAlert $alert): bool {
    return in_array($alert->id, $this->getDismissedIds($account), TRUE);
  }

  /**
   * Forgets every dismissal of the account, so all alerts show again.
   */
  public function reset(AccountInterface $account): void {
    $this->userData->delete('site_alerts', (int) $account->id(), self::DATA_KEY);
  }

  /**
   * Returns the IDs of the alerts the account dismissed.
   *
   * @return string[]
   *   The alert IDs.
   */
  protected function getDismissedIds(AccountInterface $account): array {
    if ($account->isAnonymous()) {
      return [];
    }
    $ids = $this->userData->get('site_alerts', (int) $account->id(), self::DATA_KEY);
    return is_array($ids) ? $ids : [];
  }

}
