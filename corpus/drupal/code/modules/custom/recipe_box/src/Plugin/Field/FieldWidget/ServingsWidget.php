<?php

namespace Drupal\recipe_box\Plugin\Field\FieldWidget;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Field\Annotation\FieldWidget;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\WidgetBase;
use Drupal\Core\Form\FormStateInterface;

/**
 * A number field with a configurable step for the servings of a recipe.
 *
 * @FieldWidget(
 *   id = "recipe_box_servings",
 *   label = @Translation("Servings stepper"),
 *   field_types = {
 *     "integer"
 *   }
 * )
 */
class ServingsWidget extends WidgetBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings() {
    return [
      'step' => 1,
    ] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state) {
    $element['step'] = [
      '#type' => 'number',
      '#title' => t('Step'),
      '#min' => 1,
      '#default_value' => $this->getSetting('step'),
    ];
    return $element;
  }

  /**
   * {@inheritdoc}
   */
  public function formElement(FieldItemListInterface $items, $delta, array $element, array &$form, FormStateInterface $form_state) {
    $element['value'] = $element + [
      '#type' => 'number',
      '#default_value' => isset($items[$delta]->value) ? $items[$delta]->value : 4,
      '#min' => 1,
      '#max' => 24,
      '#step' => $this->getSetting('step'),
      '#field_suffix' => t('servings'),
      '#attributes' => ['class' => ['recipe-servings-stepper']],
    ];
    return $element;
  }

}
