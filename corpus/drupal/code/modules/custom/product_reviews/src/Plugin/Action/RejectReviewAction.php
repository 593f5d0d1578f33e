<?php

namespace Drupal\product_reviews\Plugin\Action;

use Drupal\Core\Access\AccessResult;
use Drupal\Core\Action\ActionBase;
use Drupal\Core\Action\Annotation\Action;
use Drupal\Core\Annotation\Translation;
use Drupal\Core\Session\AccountInterface;

/**
 * Unpublishes a product review so it no longer counts toward the rating.
 *
 * @Action(
 *   id = "product_reviews_reject_review",
 *   label = @Translation("Reject product review"),
 *   type = "node"
 * )
 */
class RejectReviewAction extends ActionBase {

  /**
   * {@inheritdoc}
   */
  public function execute($entity = NULL) {
    if ($entity && $entity->bundle() == 'product_review' && $entity->isPublished()) {
      $entity->setUnpublished();
      $entity->setNewRevision();
      $entity->setRevisionLogMessage('Rejected by a review moderator.');
      $entity->save();
    }
  }

  /**
   * {@inheritdoc}
   */
  public function access($object, AccountInterface $account = NULL, $return_as_object = FALSE) {
    $result = AccessResult::allowedIfHasPermission($account, 'moderate product reviews')
      ->andIf($object->access('update', $account, TRUE));
    return $return_as_object ? $result : $result->isAllowed();
  }

}
