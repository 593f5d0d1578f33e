<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Hook;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\State\StateInterface;
use Drupal\site_alerts\AlertScheduler;

/**
 * Cron hook implementations that hand ended alerts to the expiry queue.
 */
class SiteAlertsCronHooks {

  /**
   * The state key holding the time ended alerts were last queued.
   */
  protected const LAST_RUN_KEY = 'site_alerts.expiry_last_queued';

  public function __construct(
    protected readonly AlertScheduler $scheduler,
    protected readonly QueueFactory $queueFactory,
    protected readonly StateInterface $state,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Implements hook_cron().
   *
   * Queues ended alerts at most once an hour; the expiry worker decides
   * whether each one has been archived long enough to be purged.
   */
  #[Hook('cron')]
  public function queueEndedAlerts(): void {
    $now = $this->time->getRequestTime();
    $last_run = (int) $this->state->get(self::LAST_RUN_KEY, 0);
    if ($now - $last_run < 3600) {
      return;
    }

    $queue = $this->queueFactory->get('site_alerts_expiry');
    foreach (array_keys($this->scheduler->getEndedAlerts()) as $id) {
      $queue->createItem($id);
    }
    $this->state->set(self::LAST_RUN_KEY, $now);
  }

}
