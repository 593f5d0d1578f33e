<?php

declare(strict_types=1);

namespace Drupal\course_catalog;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Database\Connection;
use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;

/**
 * Keeps enrollments in the course_catalog_enrollment table.
 */
class EnrollmentManager implements EnrollmentManagerInterface {

  public function __construct(
    protected readonly Connection $database,
    protected readonly TimeInterface $time,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function enroll(NodeInterface $course, AccountInterface $account): void {
    if ($this->status($course) !== self::STATUS_OPEN) {
      throw new \LogicException(sprintf('Course %d is not open for enrollment.', $course->id()));
    }
    $this->database->merge('course_catalog_enrollment')
      ->keys(['nid' => $course->id(), 'uid' => $account->id()])
      ->insertFields(['created' => $this->time->getRequestTime()])
      ->execute();
    $this->cacheTagsInvalidator->invalidateTags($course->getCacheTagsToInvalidate());
  }

  /**
   * {@inheritdoc}
   */
  public function withdraw(NodeInterface $course, AccountInterface $account): bool {
    $deleted = $this->database->delete('course_catalog_enrollment')
      ->condition('nid', $course->id())
      ->condition('uid', $account->id())
      ->execute();
    $this->cacheTagsInvalidator->invalidateTags($course->getCacheTagsToInvalidate());
    return $deleted > 0;
  }

  /**
   * {@inheritdoc}
   */
  public function isEnrolled(NodeInterface $course, AccountInterface $account): bool {
    return $this->countEnrollments((int) $course->id(), (int) $account->id()) > 0;
  }

  /**
   * {@inheritdoc}
   */
  public function seatsRemaining(NodeInterface $course): ?int {
    $capacity = (int) $course->get('field_capacity')->value;
    if ($capacity <= 0) {
      return NULL;
    }
    return max(0, $capacity - $this->countEnrollments((int) $course->id()));
  }

  /**
   * {@inheritdoc}
   */
  public function status(NodeInterface $course): string {
    $start = $course->get('field_start_date')->date;
    $closing = 3600 * (int) $this->configFactory->get('course_catalog.settings')->get('closing_hours');
    $too_late = $start && $start->getTimestamp() - $closing <= $this->time->getRequestTime();
    if ($too_late || !$course->isPublished() || !$course->get('field_enrollment_open')->value) {
      return self::STATUS_CLOSED;
    }
    return $this->seatsRemaining($course) === 0 ? self::STATUS_FULL : self::STATUS_OPEN;
  }

  /**
   * {@inheritdoc}
   */
  public function roster(NodeInterface $course): array {
    return $this->database->select('course_catalog_enrollment', 'e')
      ->fields('e', ['uid', 'created'])
      ->condition('e.nid', $course->id())
      ->orderBy('e.created')
      ->execute()
      ->fetchAllKeyed();
  }

  /**
   * Counts the enrollments of a course, optionally of one member only.
   */
  protected function countEnrollments(int $nid, ?int $uid = NULL): int {
    $query = $this->database->select('course_catalog_enrollment', 'e')->condition('e.nid', $nid);
    if ($uid !== NULL) {
      $query->condition('e.uid', $uid);
    }
    return (int) $query->countQuery()->execute()->fetchField();
  }

  /**
   * {@inheritdoc}
   */
  public function purge(?int $nid = NULL, ?int $uid = NULL): void {
    $conditions = array_filter(['nid' => $nid, 'uid' => $uid], static fn ($id) => $id !== NULL);
    if (!$conditions) {
      return;
    }
    $query = $this->database->delete('course_catalog_enrollment');
    foreach ($conditions as $field => $id) {
      $query->condition($field, $id);
    }
    $query->execute();
  }

}
