<?php

declare(strict_types=1);

namespace Drupal\product_reviews;

use Drupal\Core\Cache\CacheBackendInterface;
use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\node\NodeInterface;

/**
 * Aggregates review ratings with entity queries and caches the result.
 */
class RatingAggregator implements RatingAggregatorInterface {

  /**
   * Constructs a new RatingAggregator object.
   */
  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly CacheBackendInterface $cache,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function summarize(int $productId): array {
    $cid = 'product_reviews:summary:' . $productId;
    if ($cached = $this->cache->get($cid)) {
      return $cached->data;
    }

    $histogram = array_fill(1, 5, 0);
    $rows = $this->entityTypeManager->getStorage('node')->getAggregateQuery()
      ->accessCheck(FALSE)
      ->condition('type', self::REVIEW_BUNDLE)
      ->condition('status', NodeInterface::PUBLISHED)
      ->condition('field_product.target_id', $productId)
      ->groupBy('field_rating')
      ->aggregate('nid', 'COUNT')
      ->execute();
    foreach ($rows as $row) {
      $stars = (int) $row['field_rating'];
      if (isset($histogram[$stars])) {
        $histogram[$stars] = (int) $row['nid_count'];
      }
    }

    $count = array_sum($histogram);
    $weighted = 0;
    foreach ($histogram as $stars => $reviews) {
      $weighted += $stars * $reviews;
    }
    $summary = [
      'average' => $count > 0 ? round($weighted / $count, 1) : 0.0,
      'count' => $count,
      'histogram' => $histogram,
    ];
    $this->cache->set($cid, $summary, CacheBackendInterface::CACHE_PERMANENT, [$this->cacheTag($productId)]);
    return $summary;
  }

  /**
   * {@inheritdoc}
   */
  public function invalidate(int $productId): void {
    $this->cacheTagsInvalidator->invalidateTags([$this->cacheTag($productId)]);
  }

  /**
   * {@inheritdoc}
   */
  public function cacheTag(int $productId): string {
    return 'product_reviews_summary:' . $productId;
  }

}
