<?php

declare(strict_types=1);

namespace Drupal\job_board;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\datetime\Plugin\Field\FieldType\DateTimeItemInterface;
use Drupal\node\NodeInterface;

/**
 * Finds job postings by their publication state and closing date.
 */
final class JobListingRepository {

  /**
   * The node bundle that holds job postings.
   */
  public const BUNDLE = 'job_posting';

  /**
   * Constructs a new JobListingRepository object.
   */
  public function __construct(
    private readonly EntityTypeManagerInterface $entityTypeManager,
    private readonly TimeInterface $time,
  ) {}

  /**
   * Loads published postings whose closing date has not passed yet.
   *
   * @param int $limit
   *   The maximum number of postings to return.
   * @param string|null $employmentType
   *   Only return postings of this employment type, such as 'full_time'.
   *
   * @return \Drupal\node\NodeInterface[]
   *   The postings, newest first.
   */
  public function loadOpen(int $limit, ?string $employmentType = NULL): array {
    $storage = $this->entityTypeManager->getStorage('node');
    $query = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', self::BUNDLE)
      ->condition('status', NodeInterface::PUBLISHED)
      ->condition('field_closing_date', $this->today(), '>=')
      ->sort('sticky', 'DESC')
      ->sort('created', 'DESC')
      ->range(0, $limit);
    if ($employmentType !== NULL) {
      $query->condition('field_employment_type', $employmentType);
    }
    return $storage->loadMultiple($query->execute());
  }

  /**
   * Returns the IDs of published postings that are past their closing date.
   *
   * @return int[]
   *   Node IDs, oldest closing date first.
   */
  public function findExpiredIds(): array {
    $ids = $this->entityTypeManager->getStorage('node')->getQuery()
      ->accessCheck(FALSE)
      ->condition('type', self::BUNDLE)
      ->condition('status', NodeInterface::PUBLISHED)
      ->condition('field_closing_date', $this->today(), '<')
      ->sort('field_closing_date')
      ->execute();
    return array_map('intval', array_values($ids));
  }

  /**
   * Counts open postings per employment type.
   *
   * @return array<string, int>
   *   Counts keyed by the employment type value.
   */
  public function countOpenByEmploymentType(): array {
    $rows = $this->entityTypeManager->getStorage('node')->getAggregateQuery()
      ->accessCheck(TRUE)
      ->condition('type', self::BUNDLE)
      ->condition('status', NodeInterface::PUBLISHED)
      ->condition('field_closing_date', $this->today(), '>=')
      ->groupBy('field_employment_type')
      ->aggregate('nid', 'COUNT')
      ->execute();
    $counts = [];
    foreach ($rows as $row) {
      $counts[$row['field_employment_type']] = (int) $row['nid_count'];
    }
    return $counts;
  }

  /**
   * Today's date in the format date-only fields are stored in.
   */
  private function today(): string {
    return gmdate(DateTimeItemInterface::DATE_STORAGE_FORMAT, $this->time->getRequestTime());
  }

}
