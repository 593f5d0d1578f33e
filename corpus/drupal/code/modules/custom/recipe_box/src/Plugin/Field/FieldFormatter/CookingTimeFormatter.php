<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Plugin\Field\FieldFormatter;

use Drupal\Core\Field\Attribute\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Displays a number of minutes as hours and minutes in a time element.
 *
 * The machine-readable ISO 8601 duration lets search engines pick up the
 * preparation and cooking times of a recipe.
 */
#[FieldFormatter(
  id: 'recipe_box_cooking_time',
  label: new TranslatableMarkup('Cooking time'),
  field_types: ['integer'],
)]
class CookingTimeFormatter extends FormatterBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return ['prefix_label' => TRUE] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    $element['prefix_label'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Show a clock icon label before the time'),
      '#default_value' => $this->getSetting('prefix_label'),
    ];
    return $element;
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    return $this->getSetting('prefix_label')
      ? [$this->t('With clock label')]
      : [$this->t('Time only')];
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode): array {
    $elements = [];
    foreach ($items as $delta => $item) {
      $minutes = (int) $item->value;
      $hours = intdiv($minutes, 60);
      $rest = $minutes % 60;

      $text = match (TRUE) {
        $hours === 0 => $this->formatPlural($rest, '1 min', '@count min'),
        $rest === 0 => $this->formatPlural($hours, '1 hour', '@count hours'),
        default => $this->t('@hours h @minutes min', ['@hours' => $hours, '@minutes' => $rest]),
      };

      $elements[$delta] = [
        '#type' => 'html_tag',
        '#tag' => 'time',
        '#value' => $text,
        '#attributes' => [
          'datetime' => sprintf('PT%dH%dM', $hours, $rest),
          'class' => $this->getSetting('prefix_label') ? ['recipe-time', 'recipe-time--icon'] : ['recipe-time'],
        ],
      ];
    }
    return $elements;
  }

}
