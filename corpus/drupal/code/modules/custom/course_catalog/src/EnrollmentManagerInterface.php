<?php

declare(strict_types=1);

namespace Drupal\course_catalog;

use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;

/**
 * Records which members hold a seat in which course.
 */
interface EnrollmentManagerInterface {

  /**
   * Enrollment is open and seats are left.
   */
  public const STATUS_OPEN = 'open';

  /**
   * Every seat is taken.
   */
  public const STATUS_FULL = 'full';

  /**
   * Enrollment was closed by an editor or the course starts too soon.
   */
  public const STATUS_CLOSED = 'closed';

  /**
   * Gives the account a seat in the course.
   *
   * @throws \LogicException
   *   When the course is not open for enrollment.
   */
  public function enroll(NodeInterface $course, AccountInterface $account): void;

  /**
   * Gives the account's seat back; returns FALSE when it held none.
   */
  public function withdraw(NodeInterface $course, AccountInterface $account): bool;

  /**
   * Whether the account holds a seat in the course.
   */
  public function isEnrolled(NodeInterface $course, AccountInterface $account): bool;

  /**
   * Returns the seats left, or NULL when the course has no capacity limit.
   */
  public function seatsRemaining(NodeInterface $course): ?int;

  /**
   * Returns one of the STATUS_* constants for the course.
   */
  public function status(NodeInterface $course): string;

  /**
   * Returns the enrollment timestamps of the course, keyed by user ID.
   *
   * @return array<int, int>
   *   Enrollment times, earliest first.
   */
  public function roster(NodeInterface $course): array;

  /**
   * Deletes the enrollments of a course or of a user.
   */
  public function purge(?int $nid = NULL, ?int $uid = NULL): void;

}
