<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\course_catalog\EnrollmentManagerInterface;
use Drupal\node\NodeInterface;
use Drupal\user\UserInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\Attribute\Autowire;

/**
 * Removes enrollment rows that point at deleted courses or accounts.
 */
class CourseCatalogEnrollmentHooks {

  public function __construct(
    protected readonly EnrollmentManagerInterface $enrollments,
    #[Autowire(service: 'logger.channel.course_catalog')]
    protected readonly LoggerInterface $logger,
  ) {}

  /**
   * Implements hook_node_delete().
   */
  #[Hook('node_delete')]
  public function courseDeleted(NodeInterface $node): void {
    if ($node->bundle() === 'course') {
      $this->enrollments->purge(nid: (int) $node->id());
    }
  }

  /**
   * Implements hook_user_delete().
   */
  #[Hook('user_delete')]
  public function accountDeleted(UserInterface $account): void {
    $this->enrollments->purge(uid: (int) $account->id());
    $this->logger->info('Removed the course enrollments of deleted account %name.', [
      '%name' => $account->getAccountName(),
    ]);
  }

}
