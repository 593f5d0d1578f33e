<?php

declare(strict_types=1);

namespace Drupal\course_catalog;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Entity\Query\QueryInterface;
use Drupal\datetime\Plugin\Field\FieldType\DateTimeItemInterface;

/**
 * Finds published courses that have not started yet.
 */
class CourseCatalogQuery {

  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly TimeInterface $time,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Returns the next courses to start, soonest first.
   *
   * @return \Drupal\node\NodeInterface[]
   *   Up to $limit courses.
   */
  public function upcoming(int $limit, ?int $category = NULL): array {
    $query = $this->baseQuery($category)->range(0, $limit);
    return $this->entityTypeManager->getStorage('node')->loadMultiple($query->execute());
  }

  /**
   * Returns one pager page of the catalog.
   *
   * @return \Drupal\node\NodeInterface[]
   *   The courses on the current page.
   */
  public function catalogPage(?int $category = NULL): array {
    $page_size = (int) $this->configFactory->get('course_catalog.settings')->get('page_size');
    $query = $this->baseQuery($category)->pager(max(1, $page_size));
    return $this->entityTypeManager->getStorage('node')->loadMultiple($query->execute());
  }

  /**
   * Starts a query for published courses starting from now on.
   */
  protected function baseQuery(?int $category): QueryInterface {
    $now = gmdate(DateTimeItemInterface::DATETIME_STORAGE_FORMAT, $this->time->getRequestTime());
    $query = $this->entityTypeManager->getStorage('node')->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', 'course')
      ->condition('status', 1)
      ->condition('field_start_date', $now, '>=')
      ->sort('field_start_date');
    if ($category !== NULL) {
      $query->condition('field_category', $category);
    }
    return $query;
  }

}
