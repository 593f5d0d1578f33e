<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Controller;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Url;
use Drupal\node\NodeInterface;
use Drupal\recipe_box\IngredientScalerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Shows a recipe's ingredients rewritten for another number of servings.
 */
class ScaledRecipeController extends ControllerBase {

  public function __construct(
    protected readonly IngredientScalerInterface $scaler,
    protected readonly ConfigFactoryInterface $settings,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('recipe_box.ingredient_scaler'),
      $container->get('config.factory'),
    );
  }

  /**
   * Renders the scaled ingredient list with links to common portion sizes.
   */
  public function scaled(NodeInterface $node, int $servings): array {
    $config = $this->settings->get('recipe_box.settings');
    if ($node->bundle() !== 'recipe' || $servings < 1 || $servings > (int) $config->get('max_servings')) {
      throw new NotFoundHttpException();
    }
    $original = (int) $node->get('field_servings')->value ?: (int) $config->get('default_servings');
    $lines = array_column($node->get('field_ingredients')->getValue(), 'value');

    $build['ingredients'] = [
      '#type' => 'component',
      '#component' => 'recipe_box:ingredient-list',
      '#props' => [
        'heading' => (string) $this->t('Ingredients'),
        'servings' => $servings,
        'items' => $this->scaler->scale($lines, $original, $servings),
      ],
    ];
    $build['sizes'] = [
      '#theme' => 'links',
      '#links' => [],
      '#heading' => ['text' => $this->t('Other portion sizes'), 'level' => 'h3'],
    ];
    foreach ([1, 2, 4, 6, 8, 12] as $size) {
      if ($size !== $servings && $size <= (int) $config->get('max_servings')) {
        $build['sizes']['#links'][$size] = [
          'title' => $this->formatPlural($size, '1 serving', '@count servings'),
          'url' => Url::fromRoute('recipe_box.scaled', ['node' => $node->id(), 'servings' => $size]),
        ];
      }
    }
    $build['#cache']['tags'] = [...$node->getCacheTags(), 'config:recipe_box.settings'];
    return $build;
  }

  /**
   * Returns the page title, such as "Lasagne for 6".
   */
  public function title(NodeInterface $node, int $servings): TranslatableMarkup {
    return $this->t('@recipe for @servings', ['@recipe' => $node->label(), '@servings' => $servings]);
  }

}
