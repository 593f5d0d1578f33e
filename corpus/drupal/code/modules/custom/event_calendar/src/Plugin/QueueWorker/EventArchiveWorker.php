<?php

namespace Drupal\event_calendar\Plugin\QueueWorker;

use Drupal\Core\Annotation\QueueWorker;
use Drupal\Core\Annotation\Translation;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\node\NodeInterface;

/**
 * Unpublishes events whose end date has passed.
 *
 * @QueueWorker(
 *   id = "event_calendar_archive",
 *   title = @Translation("Archive past events"),
 *   cron = {"time" = 60}
 * )
 */
class EventArchiveWorker extends QueueWorkerBase {

  /**
   * {@inheritdoc}
   */
  public function processItem($data) {
    $node = \Drupal::entityTypeManager()->getStorage('node')->load($data['nid']);
    if (!$node instanceof NodeInterface || !$node->isPublished()) {
      return;
    }
    $node->setUnpublished();
    $node->setNewRevision(TRUE);
    $node->setRevisionLogMessage('Archived automatically after the event ended.');
    $node->save();

    \Drupal::logger('event_calendar')->info('Archived past event %title.', [
      '%title' => $node->label(),
    ]);
  }

}
