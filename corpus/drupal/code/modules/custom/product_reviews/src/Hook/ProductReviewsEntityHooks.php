<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Hook;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Session\AccountInterface;
use Drupal\node\NodeInterface;
use Drupal\product_reviews\RatingAggregatorInterface;
use Drupal\product_reviews\ReviewModerator;

/**
 * Moderates new reviews and keeps product rating summaries fresh.
 */
final class ProductReviewsEntityHooks {

  /**
   * Constructs a new ProductReviewsEntityHooks object.
   */
  public function __construct(
    private readonly RatingAggregatorInterface $ratingAggregator,
    private readonly ReviewModerator $moderator,
    private readonly ConfigFactoryInterface $configFactory,
    private readonly AccountInterface $currentUser,
  ) {}

  /**
   * Holds new reviews for moderation unless the author has a trusted role.
   */
  #[Hook('node_presave')]
  public function holdForModeration(NodeInterface $node): void {
    if (!$node->isNew() || $node->bundle() !== RatingAggregatorInterface::REVIEW_BUNDLE) {
      return;
    }
    $trusted_role = (string) $this->configFactory->get('product_reviews.settings')->get('auto_approve_role');
    $trusted = $trusted_role !== '' && in_array($trusted_role, $this->currentUser->getRoles(), TRUE);
    $node->setPublished($trusted);
  }

  /**
   * Invalidates the rating summary of the product a review belongs to.
   */
  #[Hook('node_insert')]
  #[Hook('node_update')]
  #[Hook('node_delete')]
  public function refreshProductRating(NodeInterface $node): void {
    if ($node->bundle() !== RatingAggregatorInterface::REVIEW_BUNDLE) {
      return;
    }
    if ($product_id = $this->moderator->productId($node)) {
      $this->ratingAggregator->invalidate($product_id);
    }
  }

  /**
   * Attaches the blocked-word check to the review text field.
   */
  #[Hook('entity_bundle_field_info_alter')]
  public function addBlocklistConstraint(array &$fields, EntityTypeInterface $entity_type, string $bundle): void {
    if ($entity_type->id() === 'node' && $bundle === RatingAggregatorInterface::REVIEW_BUNDLE && isset($fields['field_review_body'])) {
      $fields['field_review_body']->addConstraint('ProductReviewBlocklist');
    }
  }

}
