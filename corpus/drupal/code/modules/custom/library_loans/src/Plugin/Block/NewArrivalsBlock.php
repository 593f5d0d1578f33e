<?php

namespace Drupal\library_loans\Plugin\Block;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Block\Annotation\Block;
use Drupal\Core\Block\BlockBase;

/**
 * Lists the books most recently added to the catalogue.
 *
 * @Block(
 *   id = "library_loans_new_arrivals",
 *   admin_label = @Translation("New arrivals"),
 *   category = @Translation("Library")
 * )
 */
class NewArrivalsBlock extends BlockBase {

  /**
   * {@inheritdoc}
   */
  public function build() {
    $storage = \Drupal::entityTypeManager()->getStorage('node');
    $nids = $storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', 'book')
      ->condition('status', 1)
      ->sort('created', 'DESC')
      ->range(0, 5)
      ->execute();

    $items = [];
    foreach ($storage->loadMultiple($nids) as $book) {
      $items[] = $book->toLink()->toRenderable();
    }

    return [
      '#theme' => 'item_list',
      '#items' => $items,
      '#empty' => $this->t('No books have been added yet.'),
      '#cache' => ['tags' => ['node_list']],
    ];
  }

}
