<?php

declare(strict_types=1);

namespace Drupal\member_directory\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\StringTranslation\StringTranslationTrait;

/**
 * Views integration: exposes the "member since" field for user listings.
 */
class MemberDirectoryViewsHooks {

  use StringTranslationTrait;

  /**
   * Implements hook_views_data_alter().
   */
  #[Hook('views_data_alter')]
  public function viewsDataAlter(array &$data): void {
    if (!isset($data['users_field_data'])) {
      return;
    }
    $data['users_field_data']['member_directory_member_since'] = [
      'title' => $this->t('Member since'),
      'help' => $this->t('How long ago the account was created, in words.'),
      'real field' => 'created',
      'field' => [
        'id' => 'member_directory_member_since',
        'click sortable' => TRUE,
      ],
    ];
  }

}
