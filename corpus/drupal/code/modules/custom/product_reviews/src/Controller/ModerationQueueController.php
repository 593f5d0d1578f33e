<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Link;
use Drupal\Core\Url;
use Drupal\node\NodeInterface;
use Drupal\product_reviews\ReviewModerator;
use Symfony\Component\HttpFoundation\RedirectResponse;

/**
 * The moderation queue: pending reviews with one-click approval.
 *
 * The constructor arguments are autowired by ControllerBase.
 */
final class ModerationQueueController extends ControllerBase {

  /**
   * Constructs a new ModerationQueueController object.
   */
  public function __construct(
    private readonly ReviewModerator $moderator,
    private readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * Lists reviews that wait for a moderator, oldest first.
   */
  public function queue(): array {
    $rows = [];
    foreach ($this->moderator->loadPending() as $review) {
      $product_id = $this->moderator->productId($review);
      $product = $product_id
        ? Link::createFromRoute($this->t('Product @id', ['@id' => $product_id]), 'entity.node.canonical', ['node' => $product_id])
        : $this->t('None');
      $rows[] = [
        $review->toLink(),
        $product,
        $review->getOwner()->getDisplayName(),
        $this->dateFormatter->formatTimeDiffSince($review->getCreatedTime()),
        Link::fromTextAndUrl($this->t('Approve'), Url::fromRoute('product_reviews.approve', ['node' => $review->id()])),
      ];
    }
    return [
      'table' => [
        '#type' => 'table',
        '#header' => [$this->t('Review'), $this->t('Product'), $this->t('Author'), $this->t('Waiting'), $this->t('Operations')],
        '#rows' => $rows,
        '#empty' => $this->t('No reviews are waiting for moderation.'),
      ],
      '#cache' => ['tags' => ['node_list'], 'contexts' => ['user.permissions']],
    ];
  }

  /**
   * Approves one review and returns to the queue.
   */
  public function approve(NodeInterface $node): RedirectResponse {
    $this->moderator->approve($node);
    $this->messenger()->addStatus($this->t('The review %title is now published.', ['%title' => $node->label()]));
    return $this->redirect('product_reviews.moderation_queue');
  }

}
