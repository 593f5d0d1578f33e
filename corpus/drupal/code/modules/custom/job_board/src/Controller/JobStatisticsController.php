<?php

namespace Drupal\job_board\Controller;

use Drupal\Core\Controller\ControllerBase;

/**
 * Reports open postings and received applications for the job board.
 */
class JobStatisticsController extends ControllerBase {

  /**
   * Builds the statistics report.
   */
  public function overview() {
    $node_storage = \Drupal::entityTypeManager()->getStorage('node');
    $open = $node_storage->getQuery()
      ->accessCheck(FALSE)
      ->condition('type', 'job_posting')
      ->condition('status', 1)
      ->count()
      ->execute();
    $closed = $node_storage->getQuery()
      ->accessCheck(FALSE)
      ->condition('type', 'job_posting')
      ->condition('status', 0)
      ->count()
      ->execute();

    $database = \Drupal::database();
    $applications = $database->select('job_board_application', 'a')
      ->countQuery()
      ->execute()
      ->fetchField();
    $archived = $database->select('job_board_application', 'a')
      ->condition('a.archived', 1)
      ->countQuery()
      ->execute()
      ->fetchField();

    $last_scan = \Drupal::state()->get('job_board.last_expiry_scan', 0);
    $date_formatter = \Drupal::service('date.formatter');
    $duration = \Drupal::config('job_board.settings')->get('posting_duration');

    $rows = [
      [$this->t('Open postings'), $open],
      [$this->t('Closed postings'), $closed],
      [$this->t('Applications received'), $applications],
      [$this->t('Applications archived'), $archived],
      [$this->t('Default posting duration'), $this->t('@days days', ['@days' => $duration])],
      [$this->t('Last expiry check'), $last_scan ? $date_formatter->format($last_scan, 'short') : $this->t('Never')],
    ];

    return [
      '#type' => 'table',
      '#header' => [$this->t('Metric'), $this->t('Value')],
      '#rows' => $rows,
      '#cache' => ['max-age' => 0],
    ];
  }

}
