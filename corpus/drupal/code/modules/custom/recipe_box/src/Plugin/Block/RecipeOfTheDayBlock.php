<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Plugin\Block;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Features one published recipe, a different one each day.
 *
 * The pick is derived from the date, so every visitor sees the same recipe
 * and the block can be cached until midnight.
 */
#[Block(
  id: 'recipe_box_recipe_of_the_day',
  admin_label: new TranslatableMarkup('Recipe of the day'),
  category: new TranslatableMarkup('Recipes'),
)]
class RecipeOfTheDayBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly TimeInterface $time,
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
      $container->get('entity_type.manager'),
      $container->get('datetime.time'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $storage = $this->entityTypeManager->getStorage('node');
    $ids = array_values($storage->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', 'recipe')
      ->condition('status', 1)
      ->sort('nid')
      ->execute());

    $now = $this->time->getRequestTime();
    $build = [
      '#cache' => [
        'tags' => ['node_list:recipe'],
        'max-age' => strtotime('tomorrow', $now) - $now,
      ],
    ];
    if (!$ids) {
      return $build;
    }

    $recipe = $storage->load($ids[intdiv($now, 86400) % count($ids)]);
    $build['card'] = [
      '#type' => 'component',
      '#component' => 'recipe_box:recipe-card',
      '#props' => [
        'title' => $recipe->label(),
        'url' => $recipe->toUrl()->toString(),
        'total_minutes' => (int) $recipe->get('field_total_time')->value,
        'servings' => (int) $recipe->get('field_servings')->value,
      ],
    ];
    return $build;
  }

}
