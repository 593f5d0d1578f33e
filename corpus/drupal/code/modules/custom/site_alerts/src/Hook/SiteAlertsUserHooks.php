<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Messenger\MessengerInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\site_alerts\AlertScheduler;
use Drupal\site_alerts\AlertSeverity;
use Drupal\site_alerts\DismissalTracker;
use Drupal\user\UserInterface;

/**
 * User-facing hook implementations: alerts at login and the admin help text.
 */
class SiteAlertsUserHooks {

  use StringTranslationTrait;

  public function __construct(
    protected readonly DismissalTracker $dismissals,
    protected readonly AlertScheduler $scheduler,
    protected readonly MessengerInterface $messenger,
  ) {}

  /**
   * Implements hook_user_login().
   *
   * Dismissals last for one session: a fresh login shows every running alert
   * again, and a warning about urgent alerts is added to the first page.
   */
  #[Hook('user_login')]
  public function userLogin(UserInterface $account): void {
    $this->dismissals->reset($account);
    $urgent = $this->scheduler->getActiveAlerts(AlertSeverity::Warning);
    if ($urgent) {
      $this->messenger->addWarning($this->formatPlural(
        count($urgent),
        'One urgent site alert is active.',
        '@count urgent site alerts are active.',
      ));
    }
  }

  /**
   * Implements hook_help().
   */
  #[Hook('help')]
  public function help(string $route_name): ?string {
    if ($route_name !== 'site_alerts.admin_overview') {
      return NULL;
    }
    return '<p>' . $this->t('Alerts appear in the <em>Site alert banner</em> block between their start and end times. Critical alerts cannot be dismissed.') . '</p>';
  }

}
