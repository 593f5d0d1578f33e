<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\course_catalog\EnrollmentManagerInterface;
use Drupal\node\NodeInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;

/**
 * Course rosters, and giving a seat back.
 *
 * ControllerBase autowires the typed constructor parameters.
 */
class EnrollmentController extends ControllerBase {

  public function __construct(
    protected readonly EnrollmentManagerInterface $enrollments,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * Lists the members enrolled in a course, in enrollment order.
   */
  public function roster(NodeInterface $node): array {
    $roster = $this->enrollments->roster($node);
    $accounts = $this->entityTypeManager()->getStorage('user')->loadMultiple(array_keys($roster));

    $rows = [];
    foreach ($roster as $uid => $enrolled) {
      if (!isset($accounts[$uid])) {
        continue;
      }
      $rows[] = [
        count($rows) + 1,
        $accounts[$uid]->getDisplayName(),
        $this->dateFormatter->format((int) $enrolled, 'short'),
      ];
    }

    $seats = $this->enrollments->seatsRemaining($node);
    return [
      '#type' => 'table',
      '#caption' => $seats === NULL
        ? $this->t('@count enrolled', ['@count' => count($rows)])
        : $this->t('@count enrolled, @seats seats left', ['@count' => count($rows), '@seats' => $seats]),
      '#header' => [$this->t('#'), $this->t('Member'), $this->t('Enrolled on')],
      '#rows' => $rows,
      '#empty' => $this->t('Nobody has enrolled yet.'),
      '#cache' => ['tags' => $node->getCacheTags()],
    ];
  }

  /**
   * Gives the current user's seat back and returns to the course.
   */
  public function withdraw(NodeInterface $node): RedirectResponse {
    if ($this->enrollments->withdraw($node, $this->currentUser())) {
      $this->messenger()->addStatus($this->t('You are no longer enrolled in %course.', ['%course' => $node->label()]));
    }
    else {
      $this->messenger()->addWarning($this->t('You were not enrolled in %course.', ['%course' => $node->label()]));
    }
    return $this->redirect('entity.node.canonical', ['node' => $node->id()]);
  }

}
