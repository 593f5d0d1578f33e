<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Plugin\Filter;

use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\filter\Attribute\Filter;
use Drupal\filter\FilterProcessResult;
use Drupal\filter\Plugin\FilterBase;
use Drupal\filter\Plugin\FilterInterface;

/**
 * Replaces typed fractions such as 1/2 with their Unicode glyphs.
 *
 * Only the common kitchen fractions are converted, and only when they stand
 * alone, so dates like 12/10 and ratios in URLs are left untouched.
 */
#[Filter(
  id: 'recipe_box_fraction_glyphs',
  title: new TranslatableMarkup('Convert kitchen fractions to glyphs'),
  type: FilterInterface::TYPE_TRANSFORM_IRREVERSIBLE,
  description: new TranslatableMarkup('Shows 1/2, 1/3, 1/4, 2/3, 3/4 and 1/8 as ½, ⅓, ¼, ⅔, ¾ and ⅛.'),
  weight: 10,
)]
class FractionGlyphFilter extends FilterBase {

  /**
   * The fractions this filter converts.
   */
  protected const GLYPHS = [
    '1/2' => '½',
    '1/3' => '⅓',
    '2/3' => '⅔',
    '1/4' => '¼',
    '3/4' => '¾',
    '1/8' => '⅛',
  ];

  /**
   * {@inheritdoc}
   */
  public function process($text, $langcode): FilterProcessResult {
    $converted = preg_replace_callback(
      '@(?<![\w/])(1/2|1/3|2/3|1/4|3/4|1/8)(?![\w/])@',
      static fn (array $match): string => static::GLYPHS[$match[1]],
      $text,
    );
    return new FilterProcessResult($converted ?? $text);
  }

  /**
   * {@inheritdoc}
   */
  public function tips($long = FALSE): ?string {
    return (string) $this->t('Kitchen fractions such as 1/2 and 3/4 are shown as ½ and ¾.');
  }

}
