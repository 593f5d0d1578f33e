<?php

namespace Drupal\course_catalog\Plugin\Action;

use Drupal\Core\Action\ActionBase;
use Drupal\Core\Action\Annotation\Action;
use Drupal\Core\Annotation\Translation;
use Drupal\Core\Session\AccountInterface;

/**
 * Stops new enrollments in the selected courses.
 *
 * @Action(
 *   id = "course_catalog_close_enrollment",
 *   label = @Translation("Close enrollment"),
 *   type = "node"
 * )
 */
class CloseEnrollmentAction extends ActionBase {

  /**
   * {@inheritdoc}
   */
  public function execute($node = NULL) {
    if (!$node || $node->bundle() !== 'course') {
      return;
    }
    if ($node->get('field_enrollment_open')->value) {
      $node->set('field_enrollment_open', 0);
      $node->save();
    }
  }

  /**
   * {@inheritdoc}
   */
  public function access($object, AccountInterface $account = NULL, $return_as_object = FALSE) {
    $access = $object->access('update', $account, TRUE);
    return $return_as_object ? $access : $access->isAllowed();
  }

}
