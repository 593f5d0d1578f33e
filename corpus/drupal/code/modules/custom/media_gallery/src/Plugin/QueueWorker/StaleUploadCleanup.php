<?php

namespace Drupal\media_gallery\Plugin\QueueWorker;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Queue\Annotation\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;

/**
 * Deletes unfinished uploads left in the gallery's temporary directory.
 *
 * Bulk uploads write to temporary://media-gallery first; files still there a
 * day later belong to uploads that were abandoned.
 *
 * @QueueWorker(
 *   id = "media_gallery_stale_upload_cleanup",
 *   title = @Translation("Delete abandoned gallery uploads"),
 *   cron = {"time" = 60}
 * )
 */
class StaleUploadCleanup extends QueueWorkerBase {

  /**
   * Seconds after which an upload counts as abandoned.
   */
  const MAX_AGE = 86400;

  /**
   * {@inheritdoc}
   */
  public function processItem($data) {
    $uri = $data['uri'];
    if (!file_exists($uri)) {
      return;
    }

    $age = \Drupal::time()->getRequestTime() - filemtime($uri);
    if ($age < self::MAX_AGE) {
      return;
    }

    \Drupal::service('file_system')->delete($uri);
    \Drupal::logger('media_gallery')->notice('Deleted the abandoned upload %uri.', ['%uri' => $uri]);
  }

}
