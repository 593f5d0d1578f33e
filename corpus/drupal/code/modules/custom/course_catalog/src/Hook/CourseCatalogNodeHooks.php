<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Hook;

use Drupal\Core\Access\AccessResult;
use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Session\AccountInterface;
use Drupal\course_catalog\EnrollmentManagerInterface;
use Drupal\node\NodeInterface;

/**
 * Node hooks that protect courses with enrolled members.
 */
class CourseCatalogNodeHooks {

  public function __construct(
    protected readonly EnrollmentManagerInterface $enrollments,
  ) {}

  /**
   * Implements hook_node_access().
   *
   * A course that members are enrolled in cannot be deleted; it has to be
   * archived instead, so the roster stays available.
   */
  #[Hook('node_access')]
  public function protectEnrolledCourses(NodeInterface $node, string $operation, AccountInterface $account): AccessResultInterface {
    if ($node->bundle() !== 'course' || $operation !== 'delete') {
      return AccessResult::neutral();
    }
    return AccessResult::forbiddenIf(
      (bool) $this->enrollments->roster($node),
      'Courses with enrolled members are archived, not deleted.',
    )->addCacheableDependency($node);
  }

  /**
   * Implements hook_node_presave().
   *
   * Course codes are compared case-insensitively, so they are stored in
   * capitals without surrounding spaces.
   */
  #[Hook('node_presave')]
  public function normalizeCourseCode(NodeInterface $node): void {
    if ($node->bundle() !== 'course' || $node->get('field_course_code')->isEmpty()) {
      return;
    }
    $code = mb_strtoupper(preg_replace('/\s+/', '', $node->get('field_course_code')->value));
    $node->set('field_course_code', $code);
  }

}
