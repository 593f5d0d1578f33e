<?php

namespace Drupal\newsletter_hub\Plugin\Field\FieldFormatter;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Field\Annotation\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\Form\FormStateInterface;

/**
 * Shows an issue number as "No. 12", optionally zero-padded.
 *
 * @FieldFormatter(
 *   id = "newsletter_hub_issue_number",
 *   label = @Translation("Issue number"),
 *   field_types = {
 *     "integer"
 *   }
 * )
 */
class IssueNumberFormatter extends FormatterBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings() {
    return [
      'digits' => 3,
    ] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state) {
    $element['digits'] = [
      '#type' => 'select',
      '#title' => t('Pad to'),
      '#options' => [0 => t('No padding'), 2 => '01', 3 => '001', 4 => '0001'],
      '#default_value' => $this->getSetting('digits'),
    ];
    return $element;
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode) {
    $elements = [];
    foreach ($items as $delta => $item) {
      $number = str_pad($item->value, $this->getSetting('digits'), '0', STR_PAD_LEFT);
      $elements[$delta] = [
        '#markup' => t('No. @number', ['@number' => $number]),
      ];
    }
    return $elements;
  }

}
