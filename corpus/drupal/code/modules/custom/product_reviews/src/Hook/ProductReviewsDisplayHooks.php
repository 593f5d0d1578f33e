<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Hook;

use Drupal\Core\Entity\Display\EntityViewDisplayInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\Url;
use Drupal\node\NodeInterface;
use Drupal\product_reviews\RatingAggregatorInterface;

/**
 * Shows the rating summary as a pseudo-field on product pages.
 */
final class ProductReviewsDisplayHooks {

  use StringTranslationTrait;

  /**
   * Constructs a new ProductReviewsDisplayHooks object.
   */
  public function __construct(
    private readonly RatingAggregatorInterface $ratingAggregator,
  ) {}

  /**
   * Declares the review summary pseudo-field for product nodes.
   */
  #[Hook('entity_extra_field_info')]
  public function extraFieldInfo(): array {
    $extra['node']['product']['display']['product_reviews_summary'] = [
      'label' => $this->t('Review summary'),
      'description' => $this->t('Average rating, number of reviews and a link to read them.'),
      'weight' => 20,
      'visible' => TRUE,
    ];
    return $extra;
  }

  /**
   * Renders the review summary when the display shows it.
   */
  #[Hook('node_view')]
  public function viewProduct(array &$build, NodeInterface $node, EntityViewDisplayInterface $display, string $view_mode): void {
    if ($node->bundle() !== 'product' || !$display->getComponent('product_reviews_summary')) {
      return;
    }
    $product_id = (int) $node->id();
    $summary = $this->ratingAggregator->summarize($product_id);
    $build['product_reviews_summary'] = [
      '#type' => 'component',
      '#component' => 'product_reviews:review-summary',
      '#props' => [
        'average' => $summary['average'],
        'count' => $summary['count'],
        'histogram' => array_values($summary['histogram']),
        'reviews_url' => Url::fromRoute('product_reviews.product_reviews', ['node' => $product_id])->toString(),
      ],
      '#cache' => ['tags' => [$this->ratingAggregator->cacheTag($product_id)]],
    ];
  }

}
