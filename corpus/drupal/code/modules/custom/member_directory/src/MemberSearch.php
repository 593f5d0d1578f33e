<?php

declare(strict_types=1);

namespace Drupal\member_directory;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Entity\Query\QueryInterface;

/**
 * Searches user accounts that opted into the directory with entity queries.
 */
class MemberSearch implements MemberSearchInterface {

  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function search(string $keywords): array {
    $query = $this->listedMembersQuery();
    $keywords = trim($keywords);
    if ($keywords !== '') {
      $match = $query->orConditionGroup()
        ->condition('name', $keywords, 'CONTAINS')
        ->condition('field_job_title', $keywords, 'CONTAINS')
        ->condition('field_expertise', $keywords, 'CONTAINS');
      $query->condition($match);
    }
    $page_size = (int) $this->configFactory->get('member_directory.settings')->get('page_size');
    $ids = $query->sort('name')->pager(max(1, $page_size))->execute();
    return $this->entityTypeManager->getStorage('user')->loadMultiple($ids);
  }

  /**
   * {@inheritdoc}
   */
  public function newest(int $limit): array {
    $ids = $this->listedMembersQuery()
      ->sort('created', 'DESC')
      ->range(0, $limit)
      ->execute();
    return $this->entityTypeManager->getStorage('user')->loadMultiple($ids);
  }

  /**
   * Starts a query for active accounts that chose to be listed.
   */
  protected function listedMembersQuery(): QueryInterface {
    $query = $this->entityTypeManager->getStorage('user')->getQuery()
      ->accessCheck(TRUE)
      ->condition('uid', 0, '>')
      ->condition('status', 1)
      ->condition('field_directory_listed', 1);

    $roles = $this->configFactory->get('member_directory.settings')->get('listed_roles') ?: [];
    if ($roles) {
      $query->condition('roles', array_values($roles), 'IN');
    }
    return $query;
  }

}
