<?php

declare(strict_types=1);

namespace Drupal\faq_manager;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\node\NodeInterface;

/**
 * Loads FAQ entries and the categories they are filed under.
 */
class FaqRepository {

  /**
   * The node bundle of FAQ entries.
   */
  public const BUNDLE = 'faq';

  /**
   * Constructs a new FaqRepository object.
   */
  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Loads the terms of the configured category vocabulary in their order.
   *
   * @return \Drupal\taxonomy\TermInterface[]
   *   The category terms keyed by term ID.
   */
  public function loadCategories(): array {
    $vocabulary = (string) $this->configFactory->get('faq_manager.settings')->get('category_vocabulary');
    $storage = $this->entityTypeManager->getStorage('taxonomy_term');
    $ids = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('vid', $vocabulary)
      ->condition('status', 1)
      ->sort('weight')
      ->sort('name')
      ->execute();
    return $storage->loadMultiple($ids);
  }

  /**
   * Loads published FAQ entries, optionally limited to one category.
   *
   * @param int|null $categoryId
   *   A category term ID, or NULL for entries from all categories.
   * @param int $limit
   *   The maximum number of entries, 0 for all of them.
   *
   * @return \Drupal\node\NodeInterface[]
   *   Sticky entries first, then alphabetical by question.
   */
  public function loadEntries(?int $categoryId = NULL, int $limit = 0): array {
    $storage = $this->entityTypeManager->getStorage('node');
    $query = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', self::BUNDLE)
      ->condition('status', NodeInterface::PUBLISHED)
      ->sort('sticky', 'DESC')
      ->sort('title');
    if ($categoryId !== NULL) {
      $query->condition('field_faq_category.target_id', $categoryId);
    }
    if ($limit > 0) {
      $query->range(0, $limit);
    }
    return $storage->loadMultiple($query->execute());
  }

  /**
   * Finds another FAQ entry that asks the same question.
   *
   * The comparison ignores case and a trailing question mark.
   *
   * @return int|null
   *   The node ID of the existing entry, or NULL.
   */
  public function findDuplicateQuestion(string $question, ?int $excludeId = NULL): ?int {
    $normalized = rtrim(trim($question), '?');
    $query = $this->entityTypeManager->getStorage('node')->getQuery()
      ->accessCheck(FALSE)
      ->condition('type', self::BUNDLE)
      ->condition('title', [$normalized, $normalized . '?'], 'IN')
      ->range(0, 1);
    if ($excludeId !== NULL) {
      $query->condition('nid', $excludeId, '<>');
    }
    $ids = $query->execute();
    return $ids ? (int) reset($ids) : NULL;
  }

}
