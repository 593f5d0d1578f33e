<?php

namespace Drupal\media_gallery\Controller;

use Drupal\Core\Controller\ControllerBase;

/**
 * Lists who uploaded the most gallery images over the last 30 days.
 */
class UploadStatsController extends ControllerBase {

  /**
   * Builds the upload statistics table.
   */
  public function stats() {
    $since = \Drupal::time()->getRequestTime() - 30 * 86400;

    $query = \Drupal::database()->select('file_managed', 'f');
    $query->join('users_field_data', 'u', 'u.uid = f.uid');
    $query->fields('u', ['uid', 'name']);
    $query->addExpression('COUNT(f.fid)', 'uploads');
    $query->addExpression('SUM(f.filesize)', 'bytes');
    $query->addExpression('MAX(f.created)', 'last_upload');
    $query->condition('f.created', $since, '>=');
    $query->condition('f.filemime', 'image/%', 'LIKE');
    $query->groupBy('u.uid');
    $query->groupBy('u.name');
    $query->orderBy('bytes', 'DESC');
    $query->range(0, 25);

    $formatter = \Drupal::service('date.formatter');
    $rows = [];
    foreach ($query->execute() as $record) {
      $rows[] = [
        $record->name,
        $record->uploads,
        format_size($record->bytes),
        $formatter->format($record->last_upload, 'short'),
      ];
    }

    return [
      '#type' => 'table',
      '#caption' => $this->t('Image uploads since @date', [
        '@date' => $formatter->format($since, 'custom', 'j F Y'),
      ]),
      '#header' => [$this->t('User'), $this->t('Uploads'), $this->t('Total size'), $this->t('Last upload')],
      '#rows' => $rows,
      '#empty' => $this->t('No images were uploaded in the last 30 days.'),
      '#cache' => [
        'max-age' => 900,
      ],
    ];
  }

}
