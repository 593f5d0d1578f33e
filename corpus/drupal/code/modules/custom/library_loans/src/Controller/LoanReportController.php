<?php

namespace Drupal\library_loans\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Url;

/**
 * Report of all books currently on loan, overdue ones first.
 */
class LoanReportController extends ControllerBase {

  /**
   * Builds the report table.
   */
  public function report() {
    $query = \Drupal::database()->select('library_loans_loan', 'l');
    $query->join('node_field_data', 'n', '[n].[nid] = [l].[nid]');
    $query->join('users_field_data', 'u', '[u].[uid] = [l].[uid]');
    $query->fields('l', ['id', 'due', 'renewals'])
      ->fields('n', ['title'])
      ->fields('u', ['name'])
      ->condition('l.returned', 0)
      ->orderBy('l.due');
    $result = $query->execute();

    $formatter = \Drupal::service('date.formatter');
    $now = \Drupal::time()->getRequestTime();
    $rows = [];
    foreach ($result as $record) {
      $rows[] = [
        'data' => [
          $record->title,
          $record->name,
          $formatter->format($record->due, 'short'),
          $record->renewals,
          [
            'data' => [
              '#type' => 'link',
              '#title' => $this->t('Check in'),
              '#url' => Url::fromRoute('library_loans.return', ['loan_id' => $record->id]),
            ],
          ],
        ],
        'class' => $record->due < $now ? ['color-error'] : [],
      ];
    }

    if (!$rows) {
      \Drupal::messenger()->addStatus($this->t('All books are on the shelves.'));
    }

    return [
      '#type' => 'table',
      '#header' => [$this->t('Book'), $this->t('Borrower'), $this->t('Due'), $this->t('Renewals'), $this->t('Operations')],
      '#rows' => $rows,
      '#cache' => ['max-age' => 0],
    ];
  }

}
