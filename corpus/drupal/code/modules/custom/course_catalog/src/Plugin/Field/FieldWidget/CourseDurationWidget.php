<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Plugin\Field\FieldWidget;

use Drupal\Core\Field\Attribute\FieldWidget;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\WidgetBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Edits a duration stored in minutes as separate hours and minutes inputs.
 */
#[FieldWidget(
  id: 'course_catalog_duration',
  label: new TranslatableMarkup('Hours and minutes'),
  field_types: ['integer'],
)]
class CourseDurationWidget extends WidgetBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return ['minute_step' => 15] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    $element['minute_step'] = [
      '#type' => 'select',
      '#title' => $this->t('Minute steps'),
      '#options' => [1 => 1, 5 => 5, 15 => 15, 30 => 30],
      '#default_value' => $this->getSetting('minute_step'),
    ];
    return $element;
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    return [$this->t('Minutes in steps of @step', ['@step' => $this->getSetting('minute_step')])];
  }

  /**
   * {@inheritdoc}
   */
  public function formElement(FieldItemListInterface $items, $delta, array $element, array &$form, FormStateInterface $form_state): array {
    $total = (int) ($items[$delta]->value ?? 0);
    $element += [
      '#type' => 'fieldset',
      '#attributes' => ['class' => ['container-inline']],
    ];
    $element['hours'] = [
      '#type' => 'number',
      '#title' => $this->t('Hours'),
      '#min' => 0,
      '#max' => 200,
      '#default_value' => intdiv($total, 60),
    ];
    $element['minutes'] = [
      '#type' => 'number',
      '#title' => $this->t('Minutes'),
      '#min' => 0,
      '#max' => 59,
      '#step' => (int) $this->getSetting('minute_step'),
      '#default_value' => $total % 60,
    ];
    return $element;
  }

  /**
   * {@inheritdoc}
   */
  public function massageFormValues(array $values, array $form, FormStateInterface $form_state): array {
    foreach ($values as &$value) {
      $minutes = (int) ($value['hours'] ?? 0) * 60 + (int) ($value['minutes'] ?? 0);
      $value = ['value' => $minutes > 0 ? $minutes : NULL];
    }
    return $values;
  }

}
