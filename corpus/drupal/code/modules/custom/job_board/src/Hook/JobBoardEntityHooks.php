<?php

declare(strict_types=1);

namespace Drupal\job_board\Hook;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\datetime\Plugin\Field\FieldType\DateTimeItemInterface;
use Drupal\job_board\ApplicationStorageInterface;
use Drupal\job_board\JobListingRepository;
use Drupal\node\NodeInterface;

/**
 * Keeps job postings and their applications consistent as nodes change.
 */
final class JobBoardEntityHooks {

  /**
   * Constructs a new JobBoardEntityHooks object.
   */
  public function __construct(
    private readonly ConfigFactoryInterface $configFactory,
    private readonly ApplicationStorageInterface $applications,
    private readonly TimeInterface $time,
  ) {}

  /**
   * Gives a posting without a closing date the configured default duration.
   */
  #[Hook('node_presave')]
  public function setDefaultClosingDate(NodeInterface $node): void {
    if ($node->bundle() !== JobListingRepository::BUNDLE || !$node->hasField('field_closing_date')) {
      return;
    }
    if (!$node->get('field_closing_date')->isEmpty()) {
      return;
    }
    $days = (int) $this->configFactory->get('job_board.settings')->get('posting_duration');
    $closes = $this->time->getRequestTime() + max(1, $days) * 86400;
    $node->set('field_closing_date', gmdate(DateTimeItemInterface::DATE_STORAGE_FORMAT, $closes));
  }

  /**
   * Removes the applications of a posting when the posting is deleted.
   */
  #[Hook('node_delete')]
  public function deleteApplications(NodeInterface $node): void {
    if ($node->bundle() === JobListingRepository::BUNDLE) {
      $this->applications->deleteByJob((int) $node->id());
    }
  }

}
