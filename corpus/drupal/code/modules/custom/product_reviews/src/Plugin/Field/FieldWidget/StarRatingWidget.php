<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Plugin\Field\FieldWidget;

use Drupal\Core\Field\Attribute\FieldWidget;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\WidgetBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Lets reviewers pick a rating from one to five stars with radio buttons.
 */
#[FieldWidget(
  id: 'product_reviews_star_rating',
  label: new TranslatableMarkup('Star rating'),
  field_types: ['integer'],
)]
class StarRatingWidget extends WidgetBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return [
      'stars' => 5,
      'show_labels' => TRUE,
    ] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    $element['stars'] = [
      '#type' => 'number',
      '#title' => $this->t('Number of stars'),
      '#min' => 3,
      '#max' => 10,
      '#default_value' => $this->getSetting('stars'),
    ];
    $element['show_labels'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Show a text label next to each option'),
      '#default_value' => $this->getSetting('show_labels'),
    ];
    return $element;
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    $summary[] = $this->t('Scale: 1 to @stars stars', ['@stars' => $this->getSetting('stars')]);
    if ($this->getSetting('show_labels')) {
      $summary[] = $this->t('With text labels');
    }
    return $summary;
  }

  /**
   * {@inheritdoc}
   */
  public function formElement(FieldItemListInterface $items, $delta, array $element, array &$form, FormStateInterface $form_state): array {
    $options = [];
    for ($stars = 1; $stars <= (int) $this->getSetting('stars'); $stars++) {
      $options[$stars] = $this->getSetting('show_labels')
        ? $this->formatPlural($stars, '1 star', '@count stars')
        : (string) $stars;
    }
    $element['value'] = $element + [
      '#type' => 'radios',
      '#options' => $options,
      '#default_value' => $items[$delta]->value ?? NULL,
      '#attributes' => ['class' => ['star-rating-widget']],
    ];
    return $element;
  }

}
