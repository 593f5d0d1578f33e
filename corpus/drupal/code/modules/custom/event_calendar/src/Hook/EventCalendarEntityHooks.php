<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Hook;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\State\StateInterface;
use Drupal\event_calendar\EventRepositoryInterface;
use Drupal\node\NodeInterface;

/**
 * Keeps event dates consistent and archives events that are over.
 */
class EventCalendarEntityHooks {

  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly EventRepositoryInterface $events,
    protected readonly QueueFactory $queueFactory,
    protected readonly StateInterface $state,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Implements hook_ENTITY_TYPE_presave() for node entities.
   *
   * An event saved without an end date ends when it starts.
   */
  #[Hook('node_presave')]
  public function nodePresave(NodeInterface $node): void {
    $settings = $this->configFactory->get('event_calendar.settings');
    $field = $settings->get('date_field');
    if ($node->bundle() !== $settings->get('bundle') || !$node->hasField($field)) {
      return;
    }
    foreach ($node->get($field) as $item) {
      if ($item->value && !$item->end_value) {
        $item->end_value = $item->value;
      }
    }
  }

  /**
   * Implements hook_cron().
   *
   * Queues past events for archiving, at most once an hour.
   */
  #[Hook('cron')]
  public function cron(): void {
    if (!$this->configFactory->get('event_calendar.settings')->get('archive_past_events')) {
      return;
    }
    $now = $this->time->getRequestTime();
    $last_run = (int) $this->state->get('event_calendar.last_archive_run', 0);
    if ($now - $last_run < 3600) {
      return;
    }
    $queue = $this->queueFactory->get('event_calendar_archive');
    foreach ($this->events->endedBefore($now) as $nid) {
      $queue->createItem(['nid' => $nid]);
    }
    $this->state->set('event_calendar.last_archive_run', $now);
  }

}
