<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\State\StateInterface;
use Drupal\node\NodeInterface;

/**
 * Splits the delivery of an issue into queue items of a few recipients each.
 */
class IssueDispatcher {

  /**
   * The state key holding the send time of each issue, keyed by node ID.
   */
  protected const STATE_KEY = 'newsletter_hub.sent_issues';

  public function __construct(
    protected readonly SubscriptionManagerInterface $subscriptions,
    protected readonly QueueFactory $queueFactory,
    protected readonly StateInterface $state,
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly TimeInterface $time,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
  ) {}

  /**
   * Queues an issue for every confirmed subscriber.
   *
   * @return int
   *   The number of recipients, or 0 if the issue was sent before.
   */
  public function dispatch(NodeInterface $issue): int {
    if ($this->sentAt($issue)) {
      return 0;
    }
    $batch_size = max(1, (int) $this->configFactory->get('newsletter_hub.settings')->get('batch_size'));
    $recipients = $this->subscriptions->confirmedIds();
    $queue = $this->queueFactory->get('newsletter_hub_delivery');
    foreach (array_chunk($recipients, $batch_size) as $batch) {
      $queue->createItem(['nid' => (int) $issue->id(), 'subscribers' => $batch]);
    }

    $sent = $this->state->get(static::STATE_KEY, []);
    $sent[(int) $issue->id()] = $this->time->getRequestTime();
    $this->state->set(static::STATE_KEY, $sent);
    $this->cacheTagsInvalidator->invalidateTags(['newsletter_hub:archive']);
    return count($recipients);
  }

  /**
   * Returns when an issue was queued for delivery, or NULL if not yet.
   */
  public function sentAt(NodeInterface $issue): ?int {
    return $this->state->get(static::STATE_KEY, [])[(int) $issue->id()] ?? NULL;
  }

  /**
   * Returns the send times of all dispatched issues, newest first.
   *
   * @return int[]
   *   Timestamps keyed by node ID.
   */
  public function history(): array {
    $sent = $this->state->get(static::STATE_KEY, []);
    arsort($sent);
    return $sent;
  }

}
