<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Plugin\Action;

use Drupal\Core\Access\AccessResult;
use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Action\ActionBase;
use Drupal\Core\Action\Attribute\Action;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\node\NodeInterface;
use Drupal\product_reviews\ReviewModerator;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Publishes pending product reviews from the content overview bulk form.
 */
#[Action(
  id: 'product_reviews_approve_review',
  label: new TranslatableMarkup('Approve product review'),
  type: 'node',
)]
class ApproveReviewAction extends ActionBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new ApproveReviewAction object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly ReviewModerator $moderator,
    protected readonly AccountInterface $currentUser,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('product_reviews.moderator'),
      $container->get('current_user'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function execute($entity = NULL): void {
    if ($entity instanceof NodeInterface) {
      $this->moderator->approve($entity);
    }
  }

  /**
   * {@inheritdoc}
   */
  public function access($object, ?AccountInterface $account = NULL, $return_as_object = FALSE): bool|AccessResultInterface {
    $account ??= $this->currentUser;
    $result = AccessResult::allowedIfHasPermission($account, 'moderate product reviews');
    if ($object instanceof NodeInterface) {
      $result = $result->andIf($object->access('update', $account, TRUE));
    }
    return $return_as_object ? $result : $result->isAllowed();
  }

}
