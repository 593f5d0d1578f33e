<?php

namespace Drupal\recipe_box\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Url;
use Drupal\node\NodeInterface;

/**
 * A printer-friendly page for a recipe.
 */
class PrintRecipeController extends ControllerBase {

  /**
   * Renders the recipe in the print view mode, with photo download details.
   */
  public function view(NodeInterface $node) {
    $build = \Drupal::entityTypeManager()
      ->getViewBuilder('node')
      ->view($node, 'print');

    if (!$node->get('field_photo')->isEmpty()) {
      $file = $node->get('field_photo')->entity;
      $size = format_size($file->getSize());
      $build['photo_download'] = [
        '#type' => 'link',
        '#title' => $this->t('Download the photo (@size)', ['@size' => $size]),
        '#url' => Url::fromUri($file->createFileUrl(FALSE)),
        '#weight' => 100,
      ];
    }

    $config = \Drupal::config('recipe_box.settings');
    $build['printed'] = [
      '#type' => 'html_tag',
      '#tag' => 'p',
      '#value' => $this->t('Printed on @date. Serves @servings.', [
        '@date' => \Drupal::service('date.formatter')->format(\Drupal::time()->getRequestTime(), 'short'),
        '@servings' => $node->get('field_servings')->value ?: $config->get('default_servings'),
      ]),
      '#weight' => 110,
    ];
    $build['#attached']['html_head'][] = [
      ['#tag' => 'meta', '#attributes' => ['name' => 'robots', 'content' => 'noindex']],
      'recipe_box_print_noindex',
    ];

    return $build;
  }

}
