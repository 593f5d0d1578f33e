<?php

declare(strict_types=1);

namespace Drupal\recipe_box;

/**
 * Rewrites ingredient lists for a different number of servings.
 */
interface IngredientScalerInterface {

  /**
   * Scales ingredient lines from one number of servings to another.
   *
   * @param string[] $lines
   *   The ingredient lines as written in the recipe.
   * @param int $from
   *   The servings the recipe is written for.
   * @param int $to
   *   The servings wanted.
   *
   * @return string[]
   *   The rewritten lines, in the same order.
   */
  public function scale(array $lines, int $from, int $to): array;

  /**
   * Adds up ingredient lists of several recipes into one shopping list.
   *
   * @param array<int, array{lines: string[], factor: float}> $recipes
   *   Each recipe's ingredient lines with the factor to scale them by.
   *
   * @return string[]
   *   One line per distinct ingredient, sorted by name.
   */
  public function combine(array $recipes): array;

  /**
   * Formats a quantity for display, using fractions where they read better.
   */
  public function formatQuantity(float $quantity): string;

}
