<?php

declare(strict_types=1);

namespace Drupal\recipe_box;

use Drupal\Core\Config\ConfigFactoryInterface;

/**
 * Scales and merges ingredient lines parsed by the ingredient parser.
 */
class IngredientScaler implements IngredientScalerInterface {

  /**
   * Fractions cooks actually measure, by their decimal value.
   */
  protected const FRACTIONS = [
    '0.125' => '⅛',
    '0.25' => '¼',
    '0.333' => '⅓',
    '0.5' => '½',
    '0.667' => '⅔',
    '0.75' => '¾',
  ];

  public function __construct(
    protected readonly IngredientParser $parser,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function scale(array $lines, int $from, int $to): array {
    $factor = $from > 0 ? $to / $from : 1.0;
    return array_map(function (string $line) use ($factor): string {
      $ingredient = $this->parser->parse($line);
      return $ingredient ? $this->render($ingredient->multiply($factor)) : $line;
    }, $lines);
  }

  /**
   * {@inheritdoc}
   */
  public function combine(array $recipes): array {
    $totals = [];
    foreach ($recipes as $recipe) {
      foreach ($recipe['lines'] as $line) {
        $ingredient = $this->parser->parse($line)?->multiply($recipe['factor']);
        if ($ingredient === NULL) {
          continue;
        }
        $key = $ingredient->key();
        $previous = $totals[$key] ?? NULL;
        $totals[$key] = ($previous && $previous->quantity !== NULL && $ingredient->quantity !== NULL)
          ? new Ingredient($previous->quantity + $ingredient->quantity, $ingredient->unit, $ingredient->name)
          : ($previous ?? $ingredient);
      }
    }
    ksort($totals);
    return array_values(array_map($this->render(...), $totals));
  }

  /**
   * {@inheritdoc}
   */
  public function formatQuantity(float $quantity): string {
    $whole = (int) floor($quantity);
    $rest = round($quantity - $whole, 3);
    if ($rest < 0.05) {
      return (string) $whole;
    }
    if ($this->configFactory->get('recipe_box.settings')->get('fraction_glyphs')) {
      foreach (static::FRACTIONS as $value => $glyph) {
        if (abs($rest - (float) $value) < 0.05) {
          return $whole > 0 ? $whole . ' ' . $glyph : $glyph;
        }
      }
    }
    return rtrim(rtrim(number_format($quantity, 2, '.', ''), '0'), '.');
  }

  /**
   * Turns an ingredient back into a line of text.
   */
  protected function render(Ingredient $ingredient): string {
    $parts = [];
    if ($ingredient->quantity !== NULL) {
      $parts[] = $this->formatQuantity($ingredient->quantity);
    }
    if ($ingredient->unit !== '') {
      $parts[] = $ingredient->unit;
    }
    $parts[] = $ingredient->name;
    return implode(' ', $parts);
  }

}
