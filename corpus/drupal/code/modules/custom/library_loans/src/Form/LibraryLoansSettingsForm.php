<?php

declare(strict_types=1);

namespace Drupal\library_loans\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\library_loans\FineCalculator;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lending rules: how long a loan lasts, renewals and late fees.
 */
class LibraryLoansSettingsForm extends ConfigFormBase {

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected readonly FineCalculator $fines,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('library_loans.fine_calculator'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'library_loans_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['library_loans.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config('library_loans.settings');
    $limits = [
      'loan_days' => $this->t('Loan period in days'),
      'max_renewals' => $this->t('Renewals per loan'),
      'max_active_loans' => $this->t('Books per borrower'),
    ];
    foreach ($limits as $key => $title) {
      $form[$key] = [
        '#type' => 'number',
        '#title' => $title,
        '#min' => $key === 'max_renewals' ? 0 : 1,
        '#default_value' => $config->get($key),
      ];
    }
    $form['daily_fine'] = [
      '#type' => 'number',
      '#title' => $this->t('Fine per overdue day'),
      '#description' => $this->t('Borrowers currently see @example per day.', [
        '@example' => $this->fines->format((float) $config->get('daily_fine')),
      ]),
      '#step' => 0.05,
      '#min' => 0,
      '#default_value' => $config->get('daily_fine'),
    ];
    $form['fine_cap'] = [
      '#type' => 'number',
      '#title' => $this->t('Highest fine per loan'),
      '#step' => 0.5,
      '#min' => 0,
      '#default_value' => $config->get('fine_cap'),
    ];
    $form['currency'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Currency code'),
      '#maxlength' => 3,
      '#default_value' => $config->get('currency'),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    if (!preg_match('/^[A-Z]{3}$/', (string) $form_state->getValue('currency'))) {
      $form_state->setErrorByName('currency', $this->t('Use a three-letter ISO 4217 code such as EUR or GBP.'));
    }
    if ((float) $form_state->getValue('fine_cap') < (float) $form_state->getValue('daily_fine')) {
      $form_state->setErrorByName('fine_cap', $this->t('The cap must be at least one day of fines.'));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $config = $this->config('library_loans.settings');
    foreach (['loan_days', 'max_renewals', 'max_active_loans'] as $key) {
      $config->set($key, (int) $form_state->getValue($key));
    }
    foreach (['daily_fine', 'fine_cap'] as $key) {
      $config->set($key, (float) $form_state->getValue($key));
    }
    $config->set('currency', $form_state->getValue('currency'))->save();
    parent::submitForm($form, $form_state);
  }

}
