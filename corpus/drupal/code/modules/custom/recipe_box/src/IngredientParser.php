<?php

declare(strict_types=1);

namespace Drupal\recipe_box;

/**
 * Splits free-text ingredient lines such as "1 1/2 cups flour".
 */
class IngredientParser {

  /**
   * Units recognised after the quantity, lower case.
   */
  protected const UNITS = [
    'g', 'kg', 'mg', 'ml', 'l', 'dl', 'cl',
    'tsp', 'tbsp', 'cup', 'cups', 'oz', 'lb', 'lbs',
    'pinch', 'clove', 'cloves', 'can', 'cans',
  ];

  /**
   * Parses one ingredient line.
   *
   * @param string $line
   *   The line as the author typed it.
   *
   * @return \Drupal\recipe_box\Ingredient|null
   *   The parsed ingredient, or NULL when the line has no name.
   */
  public function parse(string $line): ?Ingredient {
    $line = trim(preg_replace('/\s+/', ' ', $line));
    if (!preg_match('/^((?:\d+\s+)?\d+\/\d+|\d+(?:[.,]\d+)?)?\s*(.*)$/u', $line, $matches)) {
      return NULL;
    }
    $quantity = $matches[1] !== '' ? $this->toNumber($matches[1]) : NULL;
    $rest = $matches[2];

    $unit = '';
    $words = explode(' ', $rest, 2);
    if ($quantity !== NULL && count($words) === 2 && in_array(mb_strtolower(rtrim($words[0], '.')), static::UNITS, TRUE)) {
      $unit = mb_strtolower(rtrim($words[0], '.'));
      $rest = $words[1];
    }
    return $rest === '' ? NULL : new Ingredient($quantity, $unit, $rest);
  }

  /**
   * Converts "1 1/2", "3/4", "2,5" or "2.5" to a float.
   */
  protected function toNumber(string $quantity): float {
    $total = 0.0;
    foreach (explode(' ', $quantity) as $part) {
      if (str_contains($part, '/')) {
        [$numerator, $denominator] = explode('/', $part);
        $total += (int) $denominator === 0 ? 0 : (int) $numerator / (int) $denominator;
      }
      else {
        $total += (float) str_replace(',', '.', $part);
      }
    }
    return $total;
  }

}
