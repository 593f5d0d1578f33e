<?php

declare(strict_types=1);

namespace Drupal\job_board\Hook;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\State\StateInterface;
use Drupal\job_board\JobListingRepository;

/**
 * Queues expired job postings for closing during cron runs.
 */
final class JobBoardCronHooks {

  /**
   * Seconds between two scans for expired postings.
   */
  private const SCAN_INTERVAL = 3600;

  /**
   * Constructs a new JobBoardCronHooks object.
   */
  public function __construct(
    private readonly JobListingRepository $jobListings,
    private readonly QueueFactory $queueFactory,
    private readonly StateInterface $state,
    private readonly TimeInterface $time,
  ) {}

  /**
   * Puts every posting past its closing date in the expiry queue.
   *
   * The scan runs at most once an hour; the queue worker does the closing.
   */
  #[Hook('cron')]
  public function queueExpiredPostings(): void {
    $now = $this->time->getRequestTime();
    $last_scan = (int) $this->state->get('job_board.last_expiry_scan', 0);
    if ($now - $last_scan < self::SCAN_INTERVAL) {
      return;
    }
    $queue = $this->queueFactory->get('job_board_expired_posting');
    foreach ($this->jobListings->findExpiredIds() as $nid) {
      $queue->createItem(['nid' => $nid]);
    }
    $this->state->set('job_board.last_expiry_scan', $now);
  }

}
