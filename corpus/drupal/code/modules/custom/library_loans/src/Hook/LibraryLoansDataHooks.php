<?php

declare(strict_types=1);

namespace Drupal\library_loans\Hook;

use Drupal\Core\Database\Connection;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\node\NodeInterface;
use Drupal\user\UserInterface;

/**
 * Exposes loans to Views and removes loans of deleted books and borrowers.
 */
class LibraryLoansDataHooks {

  public function __construct(
    protected readonly Connection $database,
  ) {}

  /**
   * Implements hook_views_data_alter().
   */
  #[Hook('views_data_alter')]
  public function viewsDataAlter(array &$data): void {
    $data['node_field_data']['library_loans_status'] = [
      'title' => new TranslatableMarkup('Loan status'),
      'help' => new TranslatableMarkup('Whether the book is available, on loan or overdue.'),
      'field' => [
        'id' => 'library_loans_status',
        'click sortable' => FALSE,
      ],
    ];
  }

  /**
   * Implements hook_ENTITY_TYPE_delete() for node entities.
   */
  #[Hook('node_delete')]
  public function deleteBookLoans(NodeInterface $node): void {
    if ($node->bundle() === 'book') {
      $this->database->delete('library_loans_loan')
        ->condition('nid', $node->id())
        ->execute();
    }
  }

  /**
   * Implements hook_ENTITY_TYPE_delete() for user entities.
   */
  #[Hook('user_delete')]
  public function deleteBorrowerLoans(UserInterface $account): void {
    $this->database->delete('library_loans_loan')
      ->condition('uid', $account->id())
      ->execute();
  }

}
