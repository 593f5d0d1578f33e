<?php

declare(strict_types=1);

namespace Drupal\job_board\Plugin\Field\FieldFormatter;

use Drupal\Core\Field\Attribute\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Displays a salary amount as a badge with its currency and pay period.
 */
#[FieldFormatter(
  id: 'job_board_salary',
  label: new TranslatableMarkup('Salary badge'),
  field_types: ['integer', 'decimal'],
)]
class SalaryFormatter extends FormatterBase {

  /**
   * {@inheritdoc}
   */
  public static function defaultSettings(): array {
    return [
      'currency' => 'EUR',
      'period' => 'year',
    ] + parent::defaultSettings();
  }

  /**
   * {@inheritdoc}
   */
  public function settingsForm(array $form, FormStateInterface $form_state): array {
    $elements['currency'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Currency code'),
      '#size' => 3,
      '#maxlength' => 3,
      '#default_value' => $this->getSetting('currency'),
      '#required' => TRUE,
    ];
    $elements['period'] = [
      '#type' => 'select',
      '#title' => $this->t('Pay period'),
      '#options' => $this->periods(),
      '#default_value' => $this->getSetting('period'),
    ];
    return $elements;
  }

  /**
   * {@inheritdoc}
   */
  public function settingsSummary(): array {
    return [
      $this->t('@currency per @period', [
        '@currency' => $this->getSetting('currency'),
        '@period' => $this->periods()[$this->getSetting('period')] ?? $this->getSetting('period'),
      ]),
    ];
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode): array {
    $elements = [];
    foreach ($items as $delta => $item) {
      $elements[$delta] = [
        '#type' => 'component',
        '#component' => 'job_board:salary-badge',
        '#props' => [
          'amount' => number_format((float) $item->value, 0, '.', ','),
          'currency' => strtoupper($this->getSetting('currency')),
          'period' => (string) ($this->periods()[$this->getSetting('period')] ?? ''),
        ],
      ];
    }
    return $elements;
  }

  /**
   * The pay periods a salary can be quoted for.
   */
  protected function periods(): array {
    return [
      'hour' => $this->t('hour'),
      'month' => $this->t('month'),
      'year' => $this->t('year'),
    ];
  }

}
