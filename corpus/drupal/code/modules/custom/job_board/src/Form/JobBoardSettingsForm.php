<?php

declare(strict_types=1);

namespace Drupal\job_board\Form;

use Drupal\Component\Utility\EmailValidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\State\StateInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Configures posting durations, notifications and application rules.
 */
final class JobBoardSettingsForm extends ConfigFormBase {

  /**
   * Constructs a new JobBoardSettingsForm object.
   */
  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    private readonly EmailValidatorInterface $emailValidator,
    private readonly StateInterface $state,
    private readonly DateFormatterInterface $dateFormatter,
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
      $container->get('email.validator'),
      $container->get('state'),
      $container->get('date.formatter'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'job_board_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['job_board.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config('job_board.settings');
    $last_scan = (int) $this->state->get('job_board.last_expiry_scan', 0);

    $form['posting_duration'] = [
      '#type' => 'number',
      '#title' => $this->t('Default posting duration'),
      '#field_suffix' => $this->t('days'),
      '#min' => 1,
      '#max' => 365,
      '#default_value' => $config->get('posting_duration'),
      '#description' => $last_scan
        ? $this->t('Expired postings were last checked on @date.', ['@date' => $this->dateFormatter->format($last_scan, 'medium')])
        : $this->t('Expired postings have not been checked yet.'),
    ];
    $form['notification_email'] = [
      '#type' => 'email',
      '#title' => $this->t('Notification address'),
      '#default_value' => $config->get('notification_email'),
      '#description' => $this->t('Receives a message for every new application. Leave empty to disable.'),
    ];
    $form['min_cover_letter_length'] = [
      '#type' => 'number',
      '#title' => $this->t('Minimum cover letter length'),
      '#field_suffix' => $this->t('characters'),
      '#min' => 0,
      '#default_value' => $config->get('min_cover_letter_length'),
    ];
    $form['listing_page_size'] = [
      '#type' => 'number',
      '#title' => $this->t('Postings per listing page'),
      '#min' => 5,
      '#max' => 100,
      '#default_value' => $config->get('listing_page_size'),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $mail = trim((string) $form_state->getValue('notification_email'));
    if ($mail !== '' && !$this->emailValidator->isValid($mail)) {
      $form_state->setErrorByName('notification_email', $this->t('%mail is not a valid email address.', ['%mail' => $mail]));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $this->config('job_board.settings')
      ->set('posting_duration', (int) $form_state->getValue('posting_duration'))
      ->set('notification_email', trim((string) $form_state->getValue('notification_email')))
      ->set('min_cover_letter_length', (int) $form_state->getValue('min_cover_letter_length'))
      ->set('listing_page_size', (int) $form_state->getValue('listing_page_size'))
      ->save();
    parent::submitForm($form, $form_state);
  }

}
