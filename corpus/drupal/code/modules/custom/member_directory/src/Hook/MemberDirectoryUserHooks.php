<?php

declare(strict_types=1);

namespace Drupal\member_directory\Hook;

use Drupal\Core\Entity\EntityTypeInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\user\UserInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\Attribute\Autowire;

/**
 * User entity hooks that keep directory listings tidy and handles valid.
 */
class MemberDirectoryUserHooks {

  public function __construct(
    #[Autowire(service: 'logger.channel.user')]
    protected readonly LoggerInterface $logger,
  ) {}

  /**
   * Implements hook_user_presave().
   *
   * Stores handles without the leading "@" and in lowercase, so the
   * uniqueness check compares like with like.
   */
  #[Hook('user_presave')]
  public function normalizeHandle(UserInterface $account): void {
    if (!$account->hasField('field_handle') || $account->get('field_handle')->isEmpty()) {
      return;
    }
    $handle = mb_strtolower(ltrim(trim($account->get('field_handle')->value), '@'));
    $account->set('field_handle', $handle);
  }

  /**
   * Implements hook_user_cancel().
   *
   * A cancelled account leaves the directory whichever method was chosen.
   */
  #[Hook('user_cancel')]
  public function unlistCancelledAccount(array $edit, UserInterface $account, string $method): void {
    if ($account->hasField('field_directory_listed') && $account->get('field_directory_listed')->value) {
      $account->set('field_directory_listed', FALSE)->save();
      $this->logger->notice('Removed %name from the member directory after the account was cancelled.', [
        '%name' => $account->getAccountName(),
      ]);
    }
  }

  /**
   * Implements hook_entity_bundle_field_info_alter().
   */
  #[Hook('entity_bundle_field_info_alter')]
  public function addHandleConstraint(array &$fields, EntityTypeInterface $entity_type, string $bundle): void {
    if ($entity_type->id() === 'user' && isset($fields['field_handle'])) {
      $fields['field_handle']->addConstraint('MemberHandle');
    }
  }

}
