<?php

declare(strict_types=1);

namespace Drupal\product_reviews;

/**
 * Computes the average star rating of a product from its published reviews.
 */
interface RatingAggregatorInterface {

  /**
   * The node bundle reviews are stored in.
   */
  public const REVIEW_BUNDLE = 'product_review';

  /**
   * Returns the rating summary of a product.
   *
   * @param int $productId
   *   The product node ID.
   *
   * @return array{average: float, count: int, histogram: array<int, int>}
   *   The average rating rounded to one decimal, the number of published
   *   reviews and the number of reviews per star value (1 to 5).
   */
  public function summarize(int $productId): array;

  /**
   * Drops the cached summary of a product after its reviews changed.
   */
  public function invalidate(int $productId): void;

  /**
   * The cache tag that guards the summary of a product.
   */
  public function cacheTag(int $productId): string;

}
