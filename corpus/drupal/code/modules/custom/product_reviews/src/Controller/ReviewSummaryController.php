<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\node\NodeInterface;
use Drupal\product_reviews\RatingAggregatorInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lists the published reviews of one product below its rating summary.
 */
final class ReviewSummaryController extends ControllerBase {

  /**
   * Constructs a new ReviewSummaryController object.
   */
  public function __construct(
    EntityTypeManagerInterface $entity_type_manager,
    private readonly RatingAggregatorInterface $ratingAggregator,
  ) {
    $this->entityTypeManager = $entity_type_manager;
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('entity_type.manager'),
      $container->get('product_reviews.rating_aggregator'),
    );
  }

  /**
   * Builds the review page of a product.
   */
  public function summary(NodeInterface $node): array {
    $product_id = (int) $node->id();
    $summary = $this->ratingAggregator->summarize($product_id);
    $per_page = (int) $this->config('product_reviews.settings')->get('reviews_per_page');

    $storage = $this->entityTypeManager->getStorage('node');
    $ids = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', RatingAggregatorInterface::REVIEW_BUNDLE)
      ->condition('status', NodeInterface::PUBLISHED)
      ->condition('field_product.target_id', $product_id)
      ->sort('created', 'DESC')
      ->pager($per_page ?: 10)
      ->execute();

    return [
      'summary' => [
        '#type' => 'component',
        '#component' => 'product_reviews:review-summary',
        '#props' => [
          'average' => $summary['average'],
          'count' => $summary['count'],
          'histogram' => array_values($summary['histogram']),
        ],
      ],
      'reviews' => $this->entityTypeManager->getViewBuilder('node')->viewMultiple($storage->loadMultiple($ids), 'teaser'),
      'pager' => ['#type' => 'pager'],
      '#cache' => [
        'tags' => [$this->ratingAggregator->cacheTag($product_id), 'node_list'],
        'contexts' => ['url.query_args.pagers'],
      ],
    ];
  }

  /**
   * Title callback: names the product whose reviews are shown.
   */
  public function title(NodeInterface $node): TranslatableMarkup {
    return $this->t('Reviews of %product', ['%product' => $node->label()]);
  }

}
