<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Plugin\Field\FieldFormatter;

use Drupal\Core\Field\Attribute\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Renders an integer rating as filled and empty stars.
 */
#[FieldFormatter(
  id: 'product_reviews_stars',
  label: new TranslatableMarkup('Stars'),
  field_types: ['integer'],
)]
class StarRatingFormatter extends FormatterBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return ['max' => 5] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    return [
      'max' => [
        '#type' => 'number',
        '#title' => $this->t('Highest rating'),
        '#min' => 3,
        '#max' => 10,
        '#default_value' => $this->getSetting('max'),
      ],
    ];
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    return [$this->t('Out of @max stars', ['@max' => $this->getSetting('max')])];
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode): array {
    $max = (int) $this->getSetting('max');
    $elements = [];
    foreach ($items as $delta => $item) {
      $elements[$delta] = [
        '#type' => 'component',
        '#component' => 'product_reviews:rating-stars',
        '#props' => [
          'rating' => min($max, max(0, (int) $item->value)),
          'max' => $max,
        ],
      ];
    }
    return $elements;
  }

}
