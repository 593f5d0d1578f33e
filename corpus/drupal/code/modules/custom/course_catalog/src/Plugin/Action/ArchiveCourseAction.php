<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Plugin\Action;

use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Action\ActionBase;
use Drupal\Core\Action\Attribute\Action;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\node\NodeInterface;

/**
 * Takes finished courses out of the catalog and closes their enrollment.
 */
#[Action(
  id: 'course_catalog_archive_course',
  label: new TranslatableMarkup('Archive course'),
  type: 'node',
)]
class ArchiveCourseAction extends ActionBase {

  /**
   * {@inheritdoc}
   */
  public function execute($entity = NULL): void {
    if (!$entity instanceof NodeInterface || $entity->bundle() !== 'course') {
      return;
    }
    $entity->setUnpublished();
    if ($entity->hasField('field_enrollment_open')) {
      $entity->set('field_enrollment_open', FALSE);
    }
    $entity->setNewRevision();
    $entity->setRevisionLogMessage((string) $this->t('Archived from the course catalog.'));
    $entity->save();
  }

  /**
   * {@inheritdoc}
   */
  public function access($object, ?AccountInterface $account = NULL, $return_as_object = FALSE): bool|AccessResultInterface {
    $result = $object->access('update', $account, TRUE)
      ->andIf($object->status->access('edit', $account, TRUE));
    return $return_as_object ? $result : $result->isAllowed();
  }

}
