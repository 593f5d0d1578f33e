<?php

declare(strict_types=1);

namespace Drupal\member_directory;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\user\UserInterface;

/**
 * Decides who appears in the directory and who may see contact details.
 */
class DirectoryVisibility {

  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly AccountInterface $currentUser,
  ) {}

  /**
   * Whether the member appears in the directory.
   */
  public function isListed(UserInterface $member): bool {
    if (!$member->isActive() || $member->isAnonymous()) {
      return FALSE;
    }
    if (!$member->hasField('field_directory_listed') || !$member->get('field_directory_listed')->value) {
      return FALSE;
    }
    $roles = $this->configFactory->get('member_directory.settings')->get('listed_roles') ?: [];
    return !$roles || array_intersect($roles, $member->getRoles(TRUE));
  }

  /**
   * Whether the current user may see the member's telephone number.
   */
  public function canSeeContactDetails(UserInterface $member): bool {
    if ((int) $member->id() === (int) $this->currentUser->id()) {
      return TRUE;
    }
    if (!$this->configFactory->get('member_directory.settings')->get('show_contact_details')) {
      return FALSE;
    }
    return $this->isListed($member)
      && $this->currentUser->hasPermission('view member contact details');
  }

}
