<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Hook;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\node\NodeInterface;

/**
 * Derived values and validation for recipe nodes.
 */
class RecipeBoxEntityHooks {

  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Implements hook_ENTITY_TYPE_presave() for node entities.
   *
   * Stores the total time so listings can sort and filter on it, and fills
   * in the default servings when the author left the field empty.
   */
  #[Hook('node_presave')]
  public function recipePresave(NodeInterface $node): void {
    if ($node->bundle() !== 'recipe') {
      return;
    }
    $prep = (int) $node->get('field_prep_time')->value;
    $cook = (int) $node->get('field_cook_time')->value;
    $node->set('field_total_time', $prep + $cook);

    if ($node->get('field_servings')->isEmpty()) {
      $node->set('field_servings', (int) $this->configFactory->get('recipe_box.settings')->get('default_servings'));
    }
  }

  /**
   * Implements hook_entity_bundle_field_info_alter().
   *
   * @param \Drupal\Core\Field\FieldDefinitionInterface[] $fields
   *   The bundle's field definitions, keyed by field name.
   * @param \Drupal\Core\Entity\EntityTypeInterface $entity_type
   *   The entity type the fields belong to.
   * @param string $bundle
   *   The bundle the fields are attached to.
   */
  #[Hook('entity_bundle_field_info_alter')]
  public function addIngredientConstraint(array &$fields, EntityTypeInterface $entity_type, string $bundle): void {
    if ($entity_type->id() === 'node' && $bundle === 'recipe' && isset($fields['field_ingredients'])) {
      $fields['field_ingredients']->addConstraint('RecipeIngredientLine');
    }
  }

}
