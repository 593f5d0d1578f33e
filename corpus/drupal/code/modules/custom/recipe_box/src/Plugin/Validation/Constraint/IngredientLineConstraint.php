<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Plugin\Validation\Constraint;

use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Validation\Attribute\Constraint;
use Symfony\Component\Validator\Constraint as SymfonyConstraint;

/**
 * Checks that every ingredient line names an ingredient.
 *
 * A line made of a quantity alone ("200 g") is a typo the shopping list
 * cannot use, and a quantity above the limit is usually a missing unit.
 */
#[Constraint(
  id: 'RecipeIngredientLine',
  label: new TranslatableMarkup('Ingredient line', [], ['context' => 'Validation']),
)]
class IngredientLineConstraint extends SymfonyConstraint {

  /**
   * Message shown when a line has no ingredient name.
   */
  public string $missingName = 'The ingredient %line needs a name after its quantity.';

  /**
   * Message shown when a quantity is implausibly large.
   */
  public string $tooMuch = 'The quantity in %line is larger than @max; did you forget a unit?';

  /**
   * The largest quantity accepted without a unit.
   */
  public int $maxUnitless = 100;

}
