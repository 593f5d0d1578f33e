<?php

declare(strict_types=1);

namespace Drupal\product_reviews;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;
use Psr\Log\LoggerInterface;

/**
 * Moves product reviews through moderation: pending, approved or rejected.
 */
class ReviewModerator {

  /**
   * Constructs a new ReviewModerator object.
   */
  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly AccountInterface $currentUser,
    protected readonly RatingAggregatorInterface $ratingAggregator,
    protected readonly LoggerInterface $logger,
  ) {}

  /**
   * Loads unpublished reviews, oldest first, so they are handled in order.
   *
   * @return \Drupal\node\NodeInterface[]
   *   The reviews waiting for a decision.
   */
  public function loadPending(int $limit = 50): array {
    $storage = $this->entityTypeManager->getStorage('node');
    $ids = $storage->getQuery()
      ->accessCheck(FALSE)
      ->condition('type', RatingAggregatorInterface::REVIEW_BUNDLE)
      ->condition('status', NodeInterface::NOT_PUBLISHED)
      ->sort('created')
      ->range(0, $limit)
      ->execute();
    return $storage->loadMultiple($ids);
  }

  /**
   * Publishes a review and refreshes the rating of its product.
   */
  public function approve(NodeInterface $review): void {
    if ($review->bundle() !== RatingAggregatorInterface::REVIEW_BUNDLE || $review->isPublished()) {
      return;
    }
    $review->setPublished();
    $review->setNewRevision();
    $review->setRevisionUserId((int) $this->currentUser->id());
    $review->setRevisionLogMessage('Approved in the review moderation queue.');
    $review->save();

    if ($product_id = $this->productId($review)) {
      $this->ratingAggregator->invalidate($product_id);
    }
    $this->logger->notice('@user approved review %title.', [
      '@user' => $this->currentUser->getDisplayName(),
      '%title' => $review->label(),
    ]);
  }

  /**
   * The ID of the product a review is about, or NULL if it has none.
   */
  public function productId(NodeInterface $review): ?int {
    if (!$review->hasField('field_product') || $review->get('field_product')->isEmpty()) {
      return NULL;
    }
    return (int) $review->get('field_product')->target_id;
  }

}
